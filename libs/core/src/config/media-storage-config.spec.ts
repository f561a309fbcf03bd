import { ConfigError, loadConfig } from './load-config';

describe('media storage configuration', () => {
  it('keeps local disk when nothing is set', () => {
    const { media } = loadConfig({});
    expect(media.driver).toBe('local');
    expect(media.s3).toBeUndefined();
    expect(media.publicUrl).toBeUndefined();
  });

  it('reads the S3 settings, with a region by default and one / after the prefix', () => {
    const { media } = loadConfig({
      MEDIA_STORAGE: 's3',
      S3_BUCKET: 'strata-media',
      S3_ENDPOINT: 'http://minio:9000',
      S3_FORCE_PATH_STYLE: 'true',
      S3_PREFIX: 'prod/media/',
    });
    expect(media).toMatchObject({
      driver: 's3',
      s3: { bucket: 'strata-media', region: 'us-east-1', endpoint: 'http://minio:9000', forcePathStyle: true, prefix: 'prod/media/' },
    });
    expect(loadConfig({ MEDIA_STORAGE: 's3', S3_BUCKET: 'b12', S3_REGION: 'eu-west-3' }).media.s3).toEqual({
      bucket: 'b12',
      region: 'eu-west-3',
      endpoint: undefined,
      forcePathStyle: false,
      prefix: '',
    });
  });

  it('needs S3_BUCKET with MEDIA_STORAGE=s3, and says so', () => {
    expect(() => loadConfig({ MEDIA_STORAGE: 's3' })).toThrow(ConfigError);
    expect(() => loadConfig({ MEDIA_STORAGE: 's3' })).toThrow(/S3_BUCKET: is required with MEDIA_STORAGE=s3/);
  });

  it.each([
    ['MEDIA_STORAGE', 'gcs'],
    ['S3_BUCKET', 'Not_A_Bucket'],
    ['S3_ENDPOINT', 'minio:9000'],
    ['S3_FORCE_PATH_STYLE', 'yes'],
    ['S3_PREFIX', '../escape'],
    ['S3_PREFIX', 'media/../../other'],
    ['S3_PREFIX', '/absolute'],
    ['MEDIA_PUBLIC_URL', 'cdn.example.com'],
  ])('stops on a bad %s (%j) and names it', (name, value) => {
    expect(() => loadConfig({ MEDIA_STORAGE: 's3', S3_BUCKET: 'strata-media', [name]: value })).toThrow(new RegExp(`${name}: `));
  });

  it('presigns downloads only on S3', () => {
    expect(loadConfig({}).media.presignedDownloads).toBe(false);
    expect(loadConfig({ MEDIA_STORAGE: 's3', S3_BUCKET: 'strata-media', MEDIA_PRESIGNED_DOWNLOADS: 'true' }).media.presignedDownloads).toBe(true);
    expect(() => loadConfig({ MEDIA_PRESIGNED_DOWNLOADS: 'true' })).toThrow(/MEDIA_PRESIGNED_DOWNLOADS: needs MEDIA_STORAGE=s3/);
  });

  it('serves MEDIA_PUBLIC_URL without its trailing slash', () => {
    expect(loadConfig({ MEDIA_PUBLIC_URL: 'https://cdn.example.com/media/' }).media.publicUrl).toBe('https://cdn.example.com/media');
  });
});
