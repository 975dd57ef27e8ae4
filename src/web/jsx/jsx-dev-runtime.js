// The development entry of the JSX runtime (tsx compiles views with `jsxDEV`); the same renderer.
import { Fragment, jsx } from './jsx-runtime.js';

export { Fragment };

export function jsxDEV(tag, props) {
  return jsx(tag, props);
}
