"""Driver of the conformance matrix (tests/test_conformance.py): every registered (method, learner) pair trained
through `metaprompt_nb.experiments.train` on the tiny world, in one of three ways.

usage: python tests/conformance.py ROOT full|kill|ddp   (ddp: under `torchrun --nproc-per-node 2`)
  full  every pair uninterrupted, one process: ROOT/full
  kill  every pair in a forked child that is killed (SIGKILL) right after writing epoch KILL_AT's checkpoint,
        then resumed here with `resume=True`: ROOT/kill
  ddp   every pair across the processes of the group (gloo on CPU): ROOT/ddp
"""
import json, os, signal, sys
from pathlib import Path
import torch

EPOCHS, KILL_AT = 3, 2
COMMON = dict(dataset='world-positions', shots=2, seed=1, epochs=EPOCHS, batch_size=4, backbone='tiny-world', pretrained='none',
              device='cpu', cache_dir='none', quiet=True)

def pairs():
    "(method, learner) of every registered pair"
    from metaprompt_nb.methods.base import compatibility
    return [(m, l) for m, row in compatibility().items() for l, ok in row.items() if ok]

def options(root, method, learner):
    "The --options of a pair: GRAM reads the meta-trained file of its learner"
    return json.dumps({'path': str(Path(root)/'gram'/f'{learner}.pt')}) if method == 'gram' else None

def train_pair(root, out, method, learner, **kw):
    from metaprompt_nb.experiments import train
    return train(method, learner=learner, options=options(root, method, learner), data_root=str(Path(root)/'data'),
                 output_dir=str(Path(root)/out), **COMMON, **kw)

def kill_after(epoch):
    "Make the trainer SIGKILL its own process right after it wrote the checkpoint of `epoch`"
    from metaprompt_nb.training import Trainer
    save = Trainer.save_checkpoint
    def save_then_die(self, path=None):
        p = save(self, path)
        if self.epoch == epoch: os.kill(os.getpid(), signal.SIGKILL)
        return p
    Trainer.save_checkpoint = save_then_die

def main(root, mode):
    torch.set_num_threads(1)
    if mode == 'full':
        for m, l in pairs(): train_pair(root, 'full', m, l)
    elif mode == 'kill':
        for m, l in pairs():
            pid = os.fork()
            if pid == 0:
                kill_after(KILL_AT); train_pair(root, 'kill', m, l); os._exit(0)   # never reached: killed after epoch KILL_AT
            _, status = os.waitpid(pid, 0)
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (m, l, status)
            train_pair(root, 'kill', m, l, resume=True)
    elif mode == 'ddp':
        for m, l in pairs(): train_pair(root, 'ddp', m, l)
        torch.distributed.barrier()
    else: raise SystemExit(__doc__)

if __name__ == '__main__': main(*sys.argv[1:])
