// TypeScript samples for config/rules/quality/javascript.yaml: TypeScript loads queries/javascript/.

interface Point {
  x: number;
  y: number;
}

export function norm(p: Point): number {
  // ruleid: javascript.debugger
  debugger;
  // ruleid: javascript.console
  console.log(p as unknown as string);
  // ruleid: javascript.eqeqeq
  if (p.x == p.y) {
    return 0;
  }
  // ok: javascript.eqeqeq
  if (p.x === p.y) {
    return 0;
  }
  // ruleid: javascript.no-var
  var sum: number = p.x * p.x + p.y * p.y;
  try {
    sum = Math.sqrt(sum);
  // ruleid: javascript.empty-catch
  } catch (e: unknown) {}
  // ruleid: javascript.throw-literal
  if (sum < 0) throw "negative";
  // ok: javascript.self-compare
  return sum! === sum ? sum : 0;
}

export class Box<T> {
  constructor(private readonly value: T) {}

  get(): T {
    // ruleid: javascript.debugger
    debugger;
    return this.value;
  }
}
