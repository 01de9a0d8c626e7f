"""Shot thumbnails and filmstrip sprites: one representative frame per shot, found by seeking (PyAV + numpy).

``thumbnails.plan`` (keys, windows, chunks) is pure Python and ships in the zip functions;
``thumbnails.extract`` (PyAV) and ``thumbnails.step`` run in the container image. Storing the
images and recording the outcome go through the ``thumbnails.step.Media`` port.
"""
