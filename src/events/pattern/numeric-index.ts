import { inRange, type NumericRange } from "./value-matchers.js";

/** Fewer ranges than this are simply tried one by one. */
const scanBelow = 8;

/**
 * Numeric ranges on one field, found for a number by one binary search: the ranges' ends cut the
 * number line into points and the open intervals between them, and each piece lists the ranges
 * covering it (built on the first lookup after a change).
 */
export class NumericIndex {
  private readonly ranges: { range: NumericRange; id: number }[] = [];
  private points: Float64Array | undefined;
  /** Piece p's ids are pieceIds[pieceStart[p]] up to pieceIds[pieceStart[p + 1]], in flat typed arrays. */
  private pieceStart = new Int32Array(0);
  private pieceIds = new Int32Array(0);

  add(range: NumericRange, id: number): void {
    this.ranges.push({ range, id });
    this.points = undefined;
  }

  get size(): number {
    return this.ranges.length;
  }

  /** Appends to `out` the id of every range holding `n`. */
  collect(n: number, out: number[]): void {
    if (this.ranges.length < scanBelow) {
      for (const r of this.ranges) if (inRange(r.range, n)) out.push(r.id);
      return;
    }
    const points = this.points ?? this.build();
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (points[mid]! < n) lo = mid + 1;
      else hi = mid;
    }
    const piece = lo < points.length && points[lo] === n ? 2 * lo + 1 : 2 * lo;
    const end = this.pieceStart[piece + 1]!;
    for (let i = this.pieceStart[piece]!; i < end; i++) out.push(this.pieceIds[i]!);
  }

  /** Piece 2j+1 is the point points[j]; piece 2j the open interval below it; the last, above all. */
  private build(): Float64Array {
    const points = [
      ...new Set(
        this.ranges.flatMap(({ range }) => [range.low, range.high]).filter((x) => Number.isFinite(x)),
      ),
    ].sort((a, b) => a - b);
    const where = new Map(points.map((x, i) => [x, i]));
    const indexOf = (x: number) => where.get(x)!;
    const pieces: number[][] = Array.from({ length: 2 * points.length + 1 }, () => []);
    for (const { range, id } of this.ranges) {
      const first = Number.isFinite(range.low) ? 2 * indexOf(range.low) + 1 + (range.lowOpen ? 1 : 0) : 0;
      const last = Number.isFinite(range.high)
        ? 2 * indexOf(range.high) + 1 - (range.highOpen ? 1 : 0)
        : 2 * points.length;
      for (let p = first; p <= last; p++) pieces[p]!.push(id);
    }
    this.pieceStart = new Int32Array(pieces.length + 1);
    for (let p = 0; p < pieces.length; p++) this.pieceStart[p + 1] = this.pieceStart[p]! + pieces[p]!.length;
    this.pieceIds = Int32Array.from(pieces.flat());
    this.points = Float64Array.from(points);
    return this.points;
  }
}
