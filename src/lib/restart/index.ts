export { expectedRebind, runListenerRestartTest, type ListenerOption, type RestartRow, type RestartTestResult } from "./listener-restart.js";
