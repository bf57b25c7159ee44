import { ListPane, type ListPaneProps } from '../components/ListPane.js';

/** The rollback picker: one project's releases, newest first, the live one marked ●. */
export function ReleasesPane(p: Omit<ListPaneProps, 'id' | 'empty' | 'note'> & { project?: string; projects: string[]; loaded: boolean }) {
  const note = p.project ? `${p.project}${p.projects.length > 1 ? '  (←→ project)' : ''}  Enter: roll back to it` : undefined;
  return <ListPane {...p} id="releases" note={note} empty={!p.project ? 'no projects' : p.loaded ? 'no releases yet' : 'loading…'} />;
}
