import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConfigSchema } from './api/schemas.ts';
import { App } from './components/app.tsx';
import './styles.css';

/**
 * The API's base URL: `config.json` beside the app when it is deployed apart from the API
 * (CloudFront, written at deploy), else the app's own origin (the local stack serves both).
 */
async function apiBaseUrl(): Promise<string> {
  try {
    const response = await fetch('./config.json', { cache: 'no-store' });
    if (!response.ok) return '';
    const parsed = ConfigSchema.safeParse(await response.json());
    return parsed.success ? parsed.data.apiUrl : '';
  } catch {
    return '';
  }
}

const root = document.getElementById('root');
if (root !== null) {
  void apiBaseUrl().then((baseUrl) =>
    createRoot(root).render(
      <StrictMode>
        <App baseUrl={baseUrl} />
      </StrictMode>,
    ),
  );
}
