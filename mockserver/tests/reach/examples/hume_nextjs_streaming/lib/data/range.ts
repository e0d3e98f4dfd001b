export type Range = {
  min: number;
  max: number;
};
