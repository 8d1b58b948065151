// A source of uniform numbers in [0, 1). Everything random in gradlab takes one.

export interface RandomSource {
  next(): number;
}
