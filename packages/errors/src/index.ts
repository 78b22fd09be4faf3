export { Gemma3Error, type Gemma3ErrorOptions } from './gemma3-error.js';
