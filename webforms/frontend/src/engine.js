// The form engine and its renderer (Vue, ODK Web Forms with its XPath WebAssembly and its
// styles): most of the app's code, loaded apart from the shell so that the PIN screen and the
// form list show without waiting for it (src/warm.js loads it while the PIN is typed).
import { uploadFile } from './media-control.js';

export { createApp, h, shallowRef } from 'vue';
export { OdkWebForm, webFormsPlugin } from '@getodk/web-forms';

// Audio and video questions: the renderer hands them to Waypoint's control (vite.config.js).
globalThis.__waypointUploadFile = uploadFile;
