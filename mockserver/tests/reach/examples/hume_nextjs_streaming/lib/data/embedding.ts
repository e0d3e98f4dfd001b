export type Embedding = number[];
