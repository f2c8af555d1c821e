/**
 * The page's one way into the browser client (src/browser.ts: the client over the native
 * WebSocket). Everything else in src/web sees only the ConnectFn shape (model/connection.ts).
 */
import { connect } from '../browser.js';
import type { ConnectFn } from './model/connection.js';

export const connectBrowser: ConnectFn = (options) => connect(options);
