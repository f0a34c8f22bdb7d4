"""Shared PCL-style inputs for the ProtoNCE and PAUC reference timings."""
import torch
import torch.nn.functional as F


def random_clusterings(sizes, batch, dim, tau):
    """One (im2cluster, prototypes, density) triple per k in sizes, drawn from torch's RNG.

    Prototypes are unit rows; concentrations are rescaled so that their mean is the
    temperature (PCL step 7).
    """
    clusterings = []
    for size in sizes:
        prototypes = F.normalize(torch.randn(size, dim), dim=1)
        density = torch.rand(size) + 0.5
        density = tau * density / density.mean()
        im2cluster = torch.randint(0, size, (batch,))
        clusterings.append((im2cluster, prototypes, density))
    return clusterings
