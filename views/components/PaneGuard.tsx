import { Text } from 'ink';
import { Component, type ReactNode } from 'react';

/**
 * A pane that fails to draw (data the views did not expect) shows why in its place, instead of
 * Ink's stack trace over the whole screen; the next change of its data tries again.
 */
export class PaneGuard extends Component<{ children: ReactNode; resetKey: unknown; name: string }, { error?: Error }> {
  state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  componentDidUpdate(prev: { resetKey: unknown }) {
    if (this.state.error && prev.resetKey !== this.props.resetKey) this.setState({ error: undefined });
  }
  render() {
    if (this.state.error) return <Text wrap="truncate-end">{`✗ ${this.props.name} could not be drawn: ${this.state.error.message}`}</Text>;
    return this.props.children;
  }
}
