"""Operations: launcher, process entry points, log masking, privacy, the
``sei-nts`` command line."""
