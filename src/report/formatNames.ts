// The report formats, apart from their renderers so that the CLI can list them cheaply.

export const FORMATS = ['text', 'json', 'junit', 'markdown', 'html'] as const;
export type Format = (typeof FORMATS)[number];
