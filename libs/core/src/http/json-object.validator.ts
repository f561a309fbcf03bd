import { registerDecorator, ValidationOptions } from 'class-validator';

export interface JsonObjectLimits {
  maxDepth: number;
  maxBytes: number;
}

function depthOf(value: unknown, limit: number, depth = 0): number {
  if (depth > limit || value === null || typeof value !== 'object') return depth;
  let deepest = depth + 1;
  for (const child of Object.values(value as Record<string, unknown>)) {
    deepest = Math.max(deepest, depthOf(child, limit, depth + 1));
    if (deepest > limit) break;
  }
  return deepest;
}

/** Checks that a value is a plain JSON object within a nesting depth and a serialized size. */
export function isBoundedJsonObject(value: unknown, limits: JsonObjectLimits): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (depthOf(value, limits.maxDepth) > limits.maxDepth) return false;
  return Buffer.byteLength(JSON.stringify(value)) <= limits.maxBytes;
}

/** A free-form JSON object field (metadata, module content) that cannot be abused by size or depth. */
export function IsBoundedJsonObject(limits: JsonObjectLimits, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isBoundedJsonObject',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must be a JSON object nested at most ${limits.maxDepth} levels and at most ${limits.maxBytes} bytes`,
        ...options,
      },
      validator: { validate: (value: unknown) => isBoundedJsonObject(value, limits) },
    });
}
