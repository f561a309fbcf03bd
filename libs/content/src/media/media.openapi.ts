import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { ApiResponseHeaders } from '@strata/core';
import { MAX_ALT_TEXT_LENGTH } from './media.dto';
import { FILE_FIELD } from './media-upload.reader';

/** The multipart body of an upload: one file part and the optional text fields. */
export function ApiMediaUploadBody(): MethodDecorator {
  return applyDecorators(
    ApiConsumes('multipart/form-data'),
    ApiBody({
      description: 'One file, in the part named "file" (at most MEDIA_MAX_BYTES), and optional text fields. Unknown fields are refused.',
      schema: {
        type: 'object',
        required: [FILE_FIELD],
        properties: {
          [FILE_FIELD]: {
            type: 'string',
            format: 'binary',
            description:
              "The file. Its part's Content-Type becomes mimeType (application/octet-stream when it is not a valid type/subtype); its file name is kept, sanitized, as filename.",
          },
          altText: { type: 'string', maxLength: MAX_ALT_TEXT_LENGTH, example: 'The team on the office roof' },
          tags: {
            type: 'array',
            items: { type: 'string' },
            description: 'Repeat the field once per tag, or send one field holding a comma-separated list (`team,office`) or a JSON array',
            example: ['team', 'office'],
          },
          metadata: { type: 'string', description: 'A JSON object, as text', example: '{"credit":"Jane Doe"}' },
        },
      },
    }),
  );
}

/** The raw file response of GET /media/{id}/file. */
export function ApiMediaFileResponse(): MethodDecorator {
  const entity = ['ETag', 'Cache-Control'] as const;
  return applyDecorators(
    ApiResponseHeaders({
      200: [...entity, 'Accept-Ranges', 'Content-Disposition'],
      206: [...entity, 'Accept-Ranges', 'Content-Disposition', 'Content-Range'],
      302: [...entity, 'Location'],
      416: [...entity, 'Accept-Ranges', 'Content-Range'],
    }),
    ApiOkResponse({
      description: 'The file, with the Content-Type it was uploaded with',
      content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
      headers: {
        'Content-Disposition': {
          description: 'inline, with the file name encoded as RFC 8187 UTF-8',
          schema: { type: 'string', example: "inline; filename*=UTF-8''team-photo.jpg" },
        },
        ETag: { description: "The media item's ETag", schema: { type: 'string', example: '"0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f.1"' } },
        'Content-Length': { description: 'Size in bytes (absent when the response is compressed)', schema: { type: 'integer' } },
        'Accept-Ranges': { description: 'Byte ranges may be requested', schema: { type: 'string', example: 'bytes' } },
      },
    }),
    ApiResponse({
      status: 206,
      description: 'The one byte range asked for with Range (and a still matching If-Range)',
      content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
      headers: { 'Content-Range': { description: 'The bytes sent and the file size', schema: { type: 'string', example: 'bytes 0-1023/48211' } } },
    }),
    ApiResponse({
      status: 302,
      description: 'When the server sets MEDIA_PUBLIC_URL or MEDIA_PRESIGNED_DOWNLOADS: the file is fetched from there (Range works the same)',
      headers: {
        Location: {
          description: 'MEDIA_PUBLIC_URL followed by the storage key, or a presigned S3 URL valid for 5 minutes',
          schema: { type: 'string', example: 'https://cdn.example.com/media/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' },
        },
      },
    }),
  );
}
