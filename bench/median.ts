// The median of a bench's timed runs (the mean of the middle two for an even count), shared by
// the fresh-process child, the variant table and the computation row.

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
