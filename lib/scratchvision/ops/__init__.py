"""Pure functions shared by every chapter: convolution, pooling, attention, patches, windows.

Each op is written from scratch, documented with its paper and equation, and tested against a
trusted implementation (``torch.nn.functional``, ``torchvision.ops``) for values and gradients.
"""
