/**
 * The constructs a program creates, in the order it creates them: when the program throws
 * inside a composite construct's constructor, the construct being built is the last one of its
 * class, which names the construct path in the error.
 *
 * The `constructs` package keeps no creation order (the tree lists children per scope), so
 * while a program runs, its Node.addChild — the one call every construct's creation makes on
 * its scope — is wrapped to log the child. The CLI binds the program to its own copy of
 * `constructs` (program.ts), so this sees every construct; it is undone when the program ends.
 */
import { Construct, Node } from 'constructs';

type AddChild = (this: Node, child: Construct, childName: string) => void;

export class CreationLog {
  private readonly created: Construct[] = [];
  private restore: (() => void) | undefined;

  start(): void {
    const proto = Node.prototype as unknown as { addChild: AddChild };
    const original = proto.addChild;
    const created = this.created;
    proto.addChild = function addChild(this: Node, child: Construct, childName: string): void {
      original.call(this, child, childName);
      created.push(child);
    };
    this.restore = () => {
      proto.addChild = original;
    };
  }

  stop(): void {
    this.restore?.();
    this.restore = undefined;
  }

  /**
   * The construct a throw came from: for the innermost `new X(…)` frame of `stack` whose class
   * made a construct, the last construct of class X created.
   */
  constructOf(stack: string): Construct | undefined {
    return this.lastOfClass([...stack.matchAll(/^\s*at new ([\w$]+) \(/gm)].map((m) => m[1] as string));
  }

  /** The last construct created of the first of `classes` (innermost first) that made one. */
  lastOfClass(classes: readonly string[]): Construct | undefined {
    for (const cls of classes) {
      for (let i = this.created.length - 1; i >= 0; i--) {
        const c = this.created[i] as Construct;
        if (c.constructor.name === cls) return c;
      }
    }
    return undefined;
  }
}
