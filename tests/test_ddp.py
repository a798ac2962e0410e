"One training run across 2 processes (torchrun, gloo backend on CPU) ends with the weights of the same run in one process."
import os, subprocess, sys
import torch

def _train(tmp_path, out, launcher):
    args = ['train', '--method', 'coop', '--dataset', 'toy', '--subsample', 'all', '--shots', '4', '--seed', '1', '--epochs', '3',
            '--batch-size', '8', '--lr', '0.5', '--backbone', 'Tiny-ViT', '--pretrained', 'none', '--data-root', str(tmp_path/'data'),
            '--cache-dir', 'none', '--device', 'cpu', '--quiet', '--output-dir', str(tmp_path/out)]
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    r = subprocess.run([*launcher, '-m', 'metaprompt_nb.cli', *args], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return torch.load(tmp_path/out/'coop'/'toy'/'shots4_seed1_all'/'last.pt', weights_only=True)

def test_two_processes_match_one(tmp_path):
    one = _train(tmp_path, 'one', [sys.executable])          # also writes the toy data set, before two processes read it
    two = _train(tmp_path, 'two', [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc-per-node', '2'])
    assert one['epoch'] == two['epoch'] == 3
    assert one['opt']['state'][0]['momentum_buffer'].abs().max() > 1e-3, 'the run must train for the comparison to mean something'
    # same updates up to float summation order (a mean of two half-batch means vs one mean)
    torch.testing.assert_close(two['learner']['ctx'], one['learner']['ctx'], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(two['opt']['state'][0]['momentum_buffer'], one['opt']['state'][0]['momentum_buffer'], atol=1e-4, rtol=1e-3)
