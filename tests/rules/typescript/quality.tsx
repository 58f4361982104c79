// TSX samples for config/rules/quality/javascript.yaml: TSX loads queries/javascript/.
import * as React from "react";

type Props = { label: string; count?: number };

export function Badge({ label, count }: Props): JSX.Element {
  // ruleid: javascript.debugger
  debugger;
  // ruleid: javascript.eqeqeq
  const empty = count == 0;
  // ok: javascript.eqeqeq
  const missing = count == null;
  // ruleid: javascript.console
  console.log(label);
  return (
    <span className={empty || missing ? "badge empty" : "badge"}>
      {label}: {count}
    </span>
  );
}
