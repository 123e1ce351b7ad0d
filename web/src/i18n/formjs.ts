/**
 * form-js's own words (its validation messages and controls), in Chinese: the forms' labels are Chinese already, and
 * a caseworker should not read "Field is required." under them. Keys are form-js's English templates; a template not
 * listed stays English. Kept apart from the catalogues: these keys are form-js's, not ours.
 */
export const FORMJS_ZH: Record<string, string> = {
  'Field is required.': '此项必填。',
  'Field must match pattern {value}.': '格式不符合要求（{value}）。',
  'Field must have minimum value of {value}.': '不能小于 {value}。',
  'Field must have maximum value of {value}.': '不能大于 {value}。',
  'Field must have minimum length of {value}.': '至少 {value} 个字。',
  'Field must have maximum length of {value}.': '最多 {value} 个字。',
  'Value is not a number.': '请填写数字。',
  'Value is expected to be an integer.': '请填写整数。',
  'Value is expected to have at most 1 decimal digit.': '最多 1 位小数。',
  'Value is expected to have at most {value} decimal digits.': '最多 {value} 位小数。',
  'Date and time must both be entered.': '请同时填写日期和时间。',
  'Field must be a valid email.': '请填写有效的电子邮箱。',
  'Add new': '添加',
  'Collapse': '收起',
  'Expand all ({value})': '全部展开（{value}）',
  'Search': '搜索',
  'No results': '无匹配项',
  'Nothing to show.': '无内容。',
  'No content to show.': '无内容。',
  'All values selected': '已全部选择',
  'Remove tag': '删除',
  'Increment': '加',
  'Decrement': '减',
  'Previous page': '上一页',
  'Next page': '下一页',
  '{page} of {total}': '第 {page} 页，共 {total} 页',
};

/** A form-js `translate` service for the locale. */
export function formjsTranslate(locale: 'zh' | 'en') {
  return (template: string, replacements: Record<string, string> = {}) =>
    (locale === 'zh' ? (FORMJS_ZH[template] ?? template) : template).replace(/{([^}]+)}/g, (_, key: string) => replacements[key] ?? `{${key}}`);
}
