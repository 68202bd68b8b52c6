"""Teams app manifest template and packager."""
