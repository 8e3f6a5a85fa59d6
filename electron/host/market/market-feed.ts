// What a session needs of its market data, whichever source it is (the
// seeded walk, a replayed file): the latest prices, and a clock to start and
// stop. The feed hands each step's ticks to the callback it was built with.

export interface MarketFeed {
  /** The latest price of each symbol. */
  marks(): Record<string, number>;
  price(symbol: string): number | undefined;
  start(): void;
  stop(): void;
}
