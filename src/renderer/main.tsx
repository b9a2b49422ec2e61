// Placeholder so the build has an entry; the renderer engineer replaces this file.
import { createRoot } from 'react-dom/client';

export function mountPlaceholder(): void {
  const el = document.getElementById('root');
  if (el) createRoot(el).render(<p>Perch is starting…</p>);
}

mountPlaceholder();
