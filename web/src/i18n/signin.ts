export default {
  zh: {
    'signin.title': '登录',
    'signin.devHint': '开发环境：选择一位演示用户登录（与 npm run token 签发的令牌相同）',
    'signin.oidc': '使用统一身份认证登录',
    'signin.oidcMissing': '未配置工作台的 OIDC 客户端（AUTH_OIDC_CLIENT_ID）',
    'signin.callback': '正在完成登录…',
    'signin.failed': '登录失败',
    'signin.region': '辖区',
  },
  en: {
    'signin.title': 'Sign in',
    'signin.devHint': 'Development: sign in as a demo user (the same tokens as npm run token)',
    'signin.oidc': 'Sign in with the identity provider',
    'signin.oidcMissing': "The workbench's OIDC client is not configured (AUTH_OIDC_CLIENT_ID)",
    'signin.callback': 'Completing sign-in…',
    'signin.failed': 'Sign-in failed',
    'signin.region': 'Region',
  },
} as const;
