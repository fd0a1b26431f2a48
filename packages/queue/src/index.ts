// @peftlab/queue: a run's arms as jobs on BullMQ and Redis (the submitter's executor, the worker
// loop and its child's side, job ids from the run's fingerprint).
export { ipcEventsLayer, onWorkerGone, receiveArmJob, reportFailure } from "./child.ts"
export { jobIdOf, queueName, type ArmJobData } from "./jobs.ts"
export { checkReachable, parseQueueUrl, QueueUnreachable, QueueUrlError, type QueueUrl } from "./queue-url.ts"
export { jobAttempts, queueExecutor, QueuedArmFailed, QueuedArmRefused } from "./submit.ts"
export { runWorker, type WorkerOptions } from "./worker.ts"
