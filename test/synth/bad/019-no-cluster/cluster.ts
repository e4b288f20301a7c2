import { App } from '@berth/core';
export default new App();
