export type CharacterRange = {
  begin: number;
  end: number;
};
