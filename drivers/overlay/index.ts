export { OverlayDriver } from './overlay-driver.js';
