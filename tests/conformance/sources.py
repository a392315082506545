"""The publications the conformance tables are transcribed from."""
from __future__ import annotations

JOHNSON_L8 = (
    'J. Johnson, "CNN Architectures", EECS 498-007 / 598-005 Deep Learning for Computer Vision, Lecture 8, '
    "University of Michigan, 2019 (the same slides are Lecture 7 of the University of Michigan's DeepRob course)"
)
CS231N_L5 = (
    'F.-F. Li, J. Johnson, S. Yeung, "Convolutional Neural Networks", CS231n, Lecture 5, Stanford University, 2017 '
    "(as taught in C. Oh, EBU7240 Computer Vision, Queen Mary University of London, 2021)"
)
CS231N_L9 = 'F.-F. Li, J. Johnson, S. Yeung, "CNN Architectures", CS231n, Lecture 9, Stanford University, 2017'
CASE_STUDY = (
    "CNN case-study lecture after CS231n Lecture 9 (Stanford, 2017): ImageNet results, AlexNet, VGGNet and "
    "GoogLeNet slides"
)
EBU7240_MLP = (
    'C. Oh, "Multi-layer Perceptron", EBU7240 Computer Vision, Queen Mary University of London, 2021 (the '
    "two-layer numpy example of CS231n, Lecture 4, Stanford University, 2017)"
)
HAYS_RANZATO = (
    'J. Hays, "Deep Learning Neural Net Basics", Computer Vision, Georgia Tech, slide "Architecture for '
    'Classification" (after M. Ranzato)'
)
KRIZHEVSKY_2012 = (
    'A. Krizhevsky, I. Sutskever, G. Hinton, "ImageNet Classification with Deep Convolutional Neural Networks", '
    "NIPS 2012 (abstract, Section 3.5 and the caption of Figure 2)"
)
SZEGEDY_2015 = (
    'C. Szegedy et al., "Going Deeper with Convolutions", CVPR 2015 (arXiv:1409.4842), Table 1'
)
SIMONYAN_2015 = (
    'K. Simonyan, A. Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition", ICLR 2015 '
    "(arXiv:1409.1556), Table 1"
)
HE_2016 = (
    'K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image Recognition", CVPR 2016 '
    "(arXiv:1512.03385), Table 1, as tabulated in " + JOHNSON_L8
)
