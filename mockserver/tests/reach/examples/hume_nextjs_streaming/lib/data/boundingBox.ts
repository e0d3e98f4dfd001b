export type BoundingBox = {
  x: number;
  y: number;
  w: number;
  h: number;
};
