import { InvalidRequestError } from '../errors/invalid-request-error.js';
import type { ImageSource } from './generation-request.js';

const DATA_URI = /^data:(image\/[a-z0-9.+-]+);base64,/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads an `image_url.url`: a `data:image/...;base64,` URI (decoded here, strictly) or an http(s)
 * URL (fetched later, only when remote images are enabled). `param` names the field in errors.
 */
export function parseImageUrl(url: string, param: string, allowRemote: boolean): ImageSource {
  const data = DATA_URI.exec(url);
  if (data) {
    const payload = url.slice(data[0].length).replace(/\s+/g, '');
    if (payload.length === 0 || payload.length % 4 !== 0 || !BASE64.test(payload)) {
      throw new InvalidRequestError(
        `'${param}' is not valid base64 after the data: URI header`,
        param,
        'invalid_image',
      );
    }
    return { kind: 'bytes', bytes: new Uint8Array(Buffer.from(payload, 'base64')) };
  }
  if (url.startsWith('data:')) {
    throw new InvalidRequestError(
      `'${param}' is a data: URI but not 'data:image/<type>;base64,...'`,
      param,
      'invalid_image',
    );
  }
  if (/^https?:\/\//i.test(url)) {
    if (!allowRemote) {
      throw new InvalidRequestError(
        `'${param}' is an http(s) URL, but fetching images by URL is disabled on this server (start it with --allow-remote-images); send the image as a data:image/...;base64 URI`,
        param,
        'remote_images_disabled',
      );
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidRequestError(`'${param}' is not a valid URL`, param, 'invalid_image');
    }
    return { kind: 'url', url: parsed.href };
  }
  throw new InvalidRequestError(
    `'${param}' must be a data:image/...;base64 URI${allowRemote ? ' or an http(s) URL' : ''}`,
    param,
    'invalid_image',
  );
}
