/**
 * apps/web — the local web app (pi search, the calculator on digit files, the Collatz explorer) that
 * `mathstream ui` serves on 127.0.0.1: the library's entry `mathstream/web`, re-exports only.
 */
export { startWebApp, type WebApp, type WebAppOptions } from './server.js';
