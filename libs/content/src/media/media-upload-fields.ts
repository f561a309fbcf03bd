import { flattenValidationErrors } from '@strata/core';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { MediaUploadFieldsDto } from './media.dto';

/** Every value each text field of a multipart form arrived with, in order. */
export type FormFields = ReadonlyMap<string, unknown[]>;

export interface ParsedUploadFields {
  fields: MediaUploadFieldsDto;
  /** Field → messages, as in a JSON body's validation problem; empty when the fields are valid. */
  errors: Record<string, string[]>;
}

class FieldError extends Error {}

/**
 * Turns multipart text fields into the upload DTO and validates it with the rules a JSON
 * body gets (unknown fields included). `tags` is a JSON array, a field repeated per tag, or a
 * comma-separated list (what Swagger UI and `curl -F tags=a,b` send; a tag cannot hold a comma);
 * `metadata` is JSON text (or a part sent as application/json, already decoded).
 */
export function parseUploadFields(form: FormFields): ParsedUploadFields {
  const input: Record<string, unknown> = {};
  const decodingErrors: Record<string, string[]> = {};
  for (const [name, values] of form) {
    try {
      input[name] = decodeField(name, values);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      decodingErrors[name] = [error.message];
    }
  }
  const fields = plainToInstance(MediaUploadFieldsDto, input);
  const validationErrors = validateSync(fields, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  return { fields, errors: { ...flattenValidationErrors(validationErrors), ...decodingErrors } };
}

function decodeField(name: string, values: unknown[]): unknown {
  switch (name) {
    case 'tags':
      return decodeTags(values);
    case 'metadata':
      return decodeJsonText(name, single(name, values), 'a JSON object');
    case 'altText':
      return single(name, values);
    default:
      // Passed on as sent, so validation reports an unknown field the way it does for JSON bodies.
      return values.length === 1 ? values[0] : values;
  }
}

function decodeTags(values: unknown[]): unknown {
  const [first] = values;
  if (values.length === 1 && typeof first === 'string' && first.trimStart().startsWith('[')) return decodeJsonText('tags', first, 'a JSON array of strings');
  if (values.length === 1 && Array.isArray(first)) return first;
  return values.flatMap((value) => (typeof value === 'string' && value.includes(',') ? value.split(',').map((tag) => tag.trim()) : [value]));
}

function single(name: string, values: unknown[]): unknown {
  if (values.length > 1) throw new FieldError(`${name} must be sent once`);
  return values[0];
}

function decodeJsonText(name: string, value: unknown, expected: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new FieldError(`${name} must be ${expected}, sent as JSON text`);
  }
}
