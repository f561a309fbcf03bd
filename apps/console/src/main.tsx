import { render } from 'preact';
import { App } from './app';
import './styles.css';

render(<App />, document.getElementById('app')!);
// When the first screen was drawn, for anyone measuring a cold load (the browser tests do).
performance.mark('console:first-render');
