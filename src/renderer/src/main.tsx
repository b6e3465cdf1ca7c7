import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';
import { rlog } from './api';
import { followSystemTheme } from './theme';

followSystemTheme();

window.addEventListener('error', (e) => rlog.error(`${e.message} (${e.filename}:${e.lineno})`));
window.addEventListener('unhandledrejection', (e) => rlog.error(`unhandled rejection: ${String((e as PromiseRejectionEvent).reason)}`));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
