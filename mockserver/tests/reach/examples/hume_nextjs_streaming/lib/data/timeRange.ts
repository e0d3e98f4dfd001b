export type TimeRange = {
  begin: number;
  end: number;
};
