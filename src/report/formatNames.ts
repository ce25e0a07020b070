// The report formats, apart from their renderers so that the CLI can list them cheaply.

export const FORMATS = ['text', 'json', 'junit', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];
