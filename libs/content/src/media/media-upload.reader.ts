import type { Multipart, MultipartFile } from '@fastify/multipart';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@strata/core';
import type { FastifyRequest } from 'fastify';
import { newContentId } from '../shared/content-id';
import { sanitizeFilename } from './media-filename';
import { mediaTypeOrDefault } from './media-type';
import { parseUploadFields } from './media-upload-fields';
import { fileTooLarge, invalidUpload, multipartProblem, notMultipart } from './media-upload.problems';
import type { MediaUploadFieldsDto } from './media.dto';
import { MediaStorage, StoredObject } from './storage/media-storage';

export const FILE_FIELD = 'file';

/** A file already in storage, with what the client told us about it: the makings of a media row. */
export interface MediaUpload extends StoredObject {
  storageKey: string;
  filename: string;
  mimeType: string;
  fields: MediaUploadFieldsDto;
}

type StoredFile = Omit<MediaUpload, 'fields'>;

/**
 * Reads a multipart upload. The `file` part is streamed into storage as it arrives (text
 * fields may come before or after it, so they can only be validated at the end); any failure
 * removes what was stored before the error reaches the client.
 */
@Injectable()
export class MediaUploadReader {
  constructor(
    private readonly storage: MediaStorage,
    private readonly config: AppConfig,
  ) {}

  async read(request: FastifyRequest): Promise<MediaUpload> {
    if (!request.isMultipart()) throw notMultipart();
    const form = new Map<string, unknown[]>();
    const errors: Record<string, string[]> = {};
    let file: StoredFile | undefined;
    try {
      for await (const part of this.partsOf(request)) {
        if (part.type === 'file' && part.fieldname === FILE_FIELD) {
          file = await this.store(part);
        } else if (part.type === 'file') {
          await finished(part.file.resume());
          errors[part.fieldname] = [`property ${part.fieldname} should not exist; the file goes in the "${FILE_FIELD}" part`];
        } else if (part.fieldname === FILE_FIELD) {
          errors[FILE_FIELD] = [`${FILE_FIELD} must be a file part (its Content-Disposition needs a filename)`];
        } else if (part.valueTruncated) {
          errors[part.fieldname] = [`${part.fieldname} is too long`];
        } else {
          form.set(part.fieldname, [...(form.get(part.fieldname) ?? []), part.value]);
        }
      }
      const parsed = parseUploadFields(form);
      Object.assign(errors, parsed.errors);
      if (!file && !errors[FILE_FIELD]) errors[FILE_FIELD] = [`${FILE_FIELD} is required`];
      if (Object.keys(errors).length > 0) throw invalidUpload(errors);
      return { ...file!, fields: parsed.fields };
    } catch (error) {
      if (file) await this.storage.delete(file.storageKey);
      throw error;
    }
  }

  /** The form's parts; errors of the parser itself (not of our handling) become problems. */
  private async *partsOf(request: FastifyRequest): AsyncGenerator<Multipart> {
    try {
      yield* request.parts();
    } catch (error) {
      throw multipartProblem(error, this.config.media.maxBytes);
    }
  }

  private async store(part: MultipartFile): Promise<StoredFile> {
    // The key is ours, never the client's file name: it cannot point anywhere else.
    const storageKey = newContentId();
    const content = Readable.from(this.chunksWithinLimit(part.file), { objectMode: false });
    const stored = await this.storage.write(storageKey, content);
    return { storageKey, ...stored, filename: sanitizeFilename(part.filename), mimeType: mediaTypeOrDefault(part.mimetype) };
  }

  /**
   * Busboy does not fail a file that passes the size limit: it ends it early and marks it
   * `truncated`. Failing here, at the end of the stream, makes the storage drop the cut file,
   * and the request body has been read through, so the 413 reaches the client cleanly.
   */
  private async *chunksWithinLimit(file: MultipartFile['file']): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of file) yield chunk as Buffer;
    } catch (error) {
      throw multipartProblem(error, this.config.media.maxBytes);
    }
    if (file.truncated) throw fileTooLarge(this.config.media.maxBytes);
  }
}
