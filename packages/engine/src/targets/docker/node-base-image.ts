/**
 * The base image the proxy image (and the starter's web image) is built FROM. Its own module,
 * free of imports, so that naming it does not load the Engine API client or tar-fs.
 */
export const NODE_BASE_IMAGE = 'berth/node-base:1';
