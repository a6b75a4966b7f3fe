"""Site staff in closed loop and the staffing the policy asks for."""
