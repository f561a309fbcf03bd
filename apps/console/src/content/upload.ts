import { API_BASE } from '../api/client';
import { problemFrom } from '@strata/client';
import { networkProblem } from '../api/problem';
import type { MediaDto } from '../api/types';

/**
 * Uploads one file as multipart (POST /api/v1/media), reporting progress as a share of the bytes
 * sent. XMLHttpRequest, because fetch reports no upload progress. Text fields go before the file:
 * the server reads the parts in order.
 */
export function uploadMedia(key: string, file: File, fields: { altText: string; tags: string[] }, onProgress: (share: number) => void): Promise<MediaDto> {
  const form = new FormData();
  if (fields.altText) form.append('altText', fields.altText);
  for (const tag of fields.tags) form.append('tags', tag);
  form.append('file', file, file.name);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${API_BASE}/media`);
    request.setRequestHeader('authorization', `Bearer ${key}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      if (request.status === 201) resolve(JSON.parse(request.responseText) as MediaDto);
      else reject(problemFrom(responseOf(request), parsed(request.responseText)));
    };
    request.onerror = () => reject(networkProblem(new Error('The upload was interrupted')));
    request.send(form);
  });
}

/** The failed upload's answer as a Response, the shape the client's problem parser reads. */
function responseOf(request: XMLHttpRequest): Response {
  const headers = new Headers();
  for (const name of ['content-type', 'retry-after', 'x-request-id']) {
    const value = request.getResponseHeader(name);
    if (value) headers.set(name, value);
  }
  return new Response(null, { status: request.status, statusText: request.statusText, headers });
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** How a file of this type is previewed in the browser, if at all. */
export function previewKind(mimeType: string): 'image' | 'video' | 'audio' | 'pdf' | null {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  if (mimeType === 'application/pdf') return 'pdf';
  return null;
}
