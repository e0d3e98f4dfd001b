import { BoundingBox } from "./boundingBox";

export type TrackedFace = {
  boundingBox: BoundingBox;
};
