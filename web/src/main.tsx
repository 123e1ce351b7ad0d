import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { I18nProvider, storedLocale } from './i18n';
import './styles.css';

document.documentElement.lang = storedLocale() === 'zh' ? 'zh-CN' : 'en';
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <App />
    </I18nProvider>
  </StrictMode>,
);
