"""Reads what @peftlab/trackers wrote with the trackers' own code and prints it as JSON.

  read_with_references.py tensorboard LOGDIR          runs as TensorBoard's scalars dashboard reads
                                                      them: {run: {tag: [[step, value, wall_time]]}}
  read_with_references.py mlflow ROOT EXPERIMENT      the experiment and its runs via MlflowClient
  read_with_references.py create-experiment ROOT NAME an experiment made by mlflow itself: {id}

Uses tensorboard's plugin event multiplexer and data provider (what `tensorboard --logdir` serves)
and mlflow's file-store client (MLflow 3 refuses file stores unless MLFLOW_ALLOW_FILE_STORE is set).
Run by packages/trackers/test/references.test.ts with tools/references/requirements.txt installed.
"""

import json
import os
import sys

os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"


def tensorboard(logdir):
    from tensorboard import context
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer

    multiplexer = plugin_event_multiplexer.EventMultiplexer(tensor_size_guidance={"scalars": 0})
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, logdir)
    scalars = provider.read_scalars(
        context.RequestContext(), experiment_id="", plugin_name="scalars", downsample=10**9
    )
    return {
        run: {tag: [[d.step, d.value, d.wall_time] for d in data] for tag, data in tags.items()}
        for run, tags in scalars.items()
    }


def artifacts(client, run_id, path=None):
    found = {}
    for item in client.list_artifacts(run_id, path):
        if item.is_dir:
            found.update(artifacts(client, run_id, item.path))
        else:
            found[item.path] = item.file_size
    return found


def mlflow(root, name):
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"file:{root}")
    experiment = client.get_experiment_by_name(name)
    runs = client.search_runs([experiment.experiment_id])
    return {
        "experiments": sorted(e.name for e in client.search_experiments()),
        "experiment_id": experiment.experiment_id,
        "runs": {
            run.info.run_id: {
                "run_name": run.info.run_name,
                "status": run.info.status,
                "start_time": run.info.start_time,
                "end_time": run.info.end_time,
                "user_id": run.info.user_id,
                "lifecycle_stage": run.info.lifecycle_stage,
                "params": run.data.params,
                "tags": run.data.tags,
                "metrics": {
                    key: [[m.step, m.value, m.timestamp] for m in client.get_metric_history(run.info.run_id, key)]
                    for key in run.data.metrics
                },
                "artifacts": artifacts(client, run.info.run_id),
            }
            for run in runs
        },
    }


def create_experiment(root, name):
    from mlflow.tracking import MlflowClient

    return {"id": MlflowClient(tracking_uri=f"file:{root}").create_experiment(name)}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    reader = {"tensorboard": tensorboard, "mlflow": mlflow, "create-experiment": create_experiment}[command]
    print(json.dumps(reader(*args)))
