import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { applyTheme, storedTheme } from './hooks/useTheme.js';
import './styles.css';

// The stored theme before the first paint, so a dark choice does not flash light.
applyTheme(storedTheme());
// No StrictMode: its double-run effects would open two connections for one login, and a second
// login of the same platform class replaces (kicks) the first.
const root = document.getElementById('root');
if (root !== null) createRoot(root).render(<App />);
