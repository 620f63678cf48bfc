"""`castnotes publish`'s machinery: put the built site on the web, media first and the feeds last.

plan.py decides what to send (content hashes against a manifest kept at the target), in
which order and with which headers; targets.py turns a `[publish] target` into one of
s3.py (S3-compatible object storage through boto3), rsync.py (a server over SSH or an
rsync daemon) or folder.py (a local folder); notify.py tells WebSub hubs and Podping.
"""
