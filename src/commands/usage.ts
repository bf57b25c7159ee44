/** Each command's usage line: main.ts shows them in the help without loading the commands themselves. */
export const BUILDS_USAGE = 'greenci builds [project] [--limit N] [--json] [--config PATH]';
export const LOGS_USAGE = 'greenci logs <build-id> [-f] [--stage NAME] [--json] [--config PATH]';
export const CONSOLE_USAGE = 'greenci [console] [--config PATH]';
export const DAEMON_USAGE = 'greenci daemon [--config PATH]';
export const DEMO_USAGE = 'greenci demo [--dir DIR] [--tour]';
export const TRIGGER_USAGE = 'greenci trigger <project> --branch B [--sha S] [--json] [--config PATH]';
export const CANCEL_USAGE = 'greenci cancel <build-id> [--json] [--config PATH]';
export const RETRY_USAGE = 'greenci retry <build-id> [--json] [--config PATH]';
export const RELEASES_USAGE = 'greenci releases <project> [--json] [--config PATH]';
export const RELEASE_USAGE = 'greenci release <project> [--build N] [--canary PERCENT [--for DURATION]] | --lift [--json] [--config PATH]';
export const CANARY_USAGE = 'greenci canary <project> promote|abort [--json] [--config PATH]';
export const ROLLBACK_USAGE = 'greenci rollback <project> [--to vX.Y.Z] [--json] [--config PATH]';
export const RUN_USAGE = 'greenci run <project> --branch B [--sha S] [--json] [--config PATH]';
export const STATUS_USAGE = 'greenci status [--json] [--config PATH]';
export const HEALTH_USAGE = 'greenci health [--history N] [--json] [--config PATH]';
export const MAIL_USAGE = 'greenci mail test <address> [--json] [--config PATH]';
