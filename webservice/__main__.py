"""python -m webservice [--port 8000]"""

import argparse
import logging
import os

from webservice.app import create_app

parser = argparse.ArgumentParser(description="Staff API and web front ends")
# Loopback unless told otherwise: an empty WEB_HOST (as in a copied .env.example)
# must not turn into "every interface".
parser.add_argument("--host", default=os.environ.get("WEB_HOST", "").strip() or "127.0.0.1")
parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "").strip() or "8000"))
args = parser.parse_args()
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
create_app().run(host=args.host, port=args.port, access_log=False)
